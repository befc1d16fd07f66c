// Jest's transform for files the code imports as text (the Lua scripts), as the build's bundler loads them.
module.exports = {
  process(source) {
    return { code: `module.exports = ${JSON.stringify(source)};` };
  },
};
