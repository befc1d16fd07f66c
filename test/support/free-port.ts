/** The bench's own: a port nothing listens on right now, chosen by the kernel. */
export { freePort } from '../../scripts/bench/free-port';
