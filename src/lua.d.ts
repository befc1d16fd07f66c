/** A Lua script kept in a file of its own, imported as its text (the build's bundler, ts-jest's transform). */
declare module '*.lua' {
  const script: string;
  export default script;
}
