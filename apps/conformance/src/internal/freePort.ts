// Free TCP ports on 127.0.0.1 for Envoy and the stand-in servers: reserved below the kernel's
// ephemeral range, so no outgoing connection or other test worker takes one before it is bound.
export { freePort } from '@egts/envoy-binary';
