// Serializes the ADS responses into one buffer of their exact size. The generated encoders grow a
// buffer by doubling and copy it out (finish), and the generated gRPC serializer copies that again
// (Buffer.from): a response of N bytes cost some 4N of short-lived native memory before grpc-js
// framed it (one more copy) and TLS encrypted it (two more). At 5,000 routes the CDS, EDS and RDS
// responses are about 1 MiB each, and glibc serves such buffers from its heaps (its mmap threshold
// has risen past them), where the holes they leave are not given back: after scaling 5,000 routes
// back to 100, egts kept ~3 MiB more RSS with the generated path (bench section 6, 121.8 -> 118.6).
// Here sizes are computed first and every byte is written once; each resource's encoded Any value
// (cached per snapshot) is copied in, not re-encoded.
// The bytes equal the generated encoders' (fields in their order, defaults left out); the tests
// pin it.
import {
  type Any,
  ControlPlane,
  type DeltaDiscoveryResponse,
  type DiscoveryResponse,
  Duration,
  Metadata,
  type Resource,
  Resource_CacheControl,
  ResourceName,
} from '@egts/envoy-api';
import { varintSize, writeVarint } from './protoWire.js';

/** Bytes of a length-delimited field of `length` bytes with a one-byte tag. */
const fieldSize = (length: number): number => 1 + varintSize(length) + length;

const stringSize = (value: string): number =>
  value === '' ? 0 : fieldSize(Buffer.byteLength(value));

/** Writes fields at increasing offsets into a buffer sized beforehand. */
class Writer {
  readonly buffer: Buffer;
  private pos = 0;

  constructor(size: number) {
    this.buffer = Buffer.allocUnsafe(size);
  }

  /** A length-delimited field's tag and length; its body follows. */
  header(tag: number, length: number): void {
    this.buffer[this.pos++] = tag;
    this.pos = writeVarint(this.buffer, this.pos, length);
  }

  string(tag: number, value: string): void {
    if (value === '') return;
    const length = Buffer.byteLength(value);
    this.header(tag, length);
    this.pos += this.buffer.write(value, this.pos, length, 'utf8');
  }

  bytes(tag: number, value: Uint8Array): void {
    if (value.length === 0) return;
    this.header(tag, value.length);
    this.buffer.set(value, this.pos);
    this.pos += value.length;
  }

  /** A set sub-message, written even when empty (as the generated encoders write it). */
  message(tag: number, bytes: Uint8Array | undefined): void {
    if (bytes === undefined) return;
    this.header(tag, bytes.length);
    this.buffer.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  bool(tag: number, value: boolean): void {
    if (!value) return;
    this.buffer[this.pos++] = tag;
    this.buffer[this.pos++] = 1;
  }

  /** Checks that what was written fills the buffer sized for it. */
  finish(): Buffer {
    if (this.pos !== this.buffer.length)
      throw new Error(`response sized ${this.buffer.length} bytes, ${this.pos} written`);
    return this.buffer;
  }
}

/** google.protobuf.Any: type_url (1), value (2). */
const anySize = (any: Any): number =>
  stringSize(any.typeUrl) + (any.value.length === 0 ? 0 : fieldSize(any.value.length));

const writeAny = (out: Writer, tag: number, any: Any, size: number): void => {
  out.header(tag, size);
  out.string(10, any.typeUrl);
  out.bytes(18, any.value);
};

/**
 * A sub-message egts never sets on a response (a resource's TTL, cache control, metadata or
 * ResourceName, the control plane), encoded by its generated encoder when present.
 */
const encodedOrEmpty = <T>(
  codec: { encode(message: T): { finish(): Uint8Array } },
  message: T | undefined,
): Uint8Array | undefined => (message === undefined ? undefined : codec.encode(message).finish());

const optionalSize = (bytes: Uint8Array | undefined): number =>
  bytes === undefined ? 0 : fieldSize(bytes.length);

/** A Delta resource's rarely set message fields, encoded once for both passes. */
interface ResourceParts {
  readonly resource: Resource;
  readonly resourceName: Uint8Array | undefined;
  readonly ttl: Uint8Array | undefined;
  readonly cacheControl: Uint8Array | undefined;
  readonly metadata: Uint8Array | undefined;
  readonly anySize: number;
  readonly size: number;
}

const resourceParts = (resource: Resource): ResourceParts => {
  const resourceName = encodedOrEmpty(ResourceName, resource.resourceName);
  const ttl = encodedOrEmpty(Duration, resource.ttl);
  const cacheControl = encodedOrEmpty(Resource_CacheControl, resource.cacheControl);
  const metadata = encodedOrEmpty(Metadata, resource.metadata);
  const any = resource.resource === undefined ? 0 : anySize(resource.resource);
  let size =
    stringSize(resource.name) +
    optionalSize(resourceName) +
    stringSize(resource.version) +
    (resource.resource === undefined ? 0 : fieldSize(any)) +
    optionalSize(ttl) +
    optionalSize(cacheControl) +
    optionalSize(metadata);
  for (const alias of resource.aliases) size += stringSize(alias);
  return { resource, resourceName, ttl, cacheControl, metadata, anySize: any, size };
};

/** Resource fields in the generated encoder's order: name, resource_name, aliases, version... */
const writeResource = (out: Writer, parts: ResourceParts): void => {
  const { resource } = parts;
  out.header(18, parts.size);
  out.string(26, resource.name);
  out.message(66, parts.resourceName);
  for (const alias of resource.aliases) out.string(34, alias);
  out.string(10, resource.version);
  if (resource.resource !== undefined) writeAny(out, 18, resource.resource, parts.anySize);
  out.message(50, parts.ttl);
  out.message(58, parts.cacheControl);
  out.message(74, parts.metadata);
};

/** `DeltaDiscoveryResponse.encode(response).finish()`, written once into a buffer of its size. */
export const serializeDeltaDiscoveryResponse = (response: DeltaDiscoveryResponse): Buffer => {
  const resources = response.resources.map(resourceParts);
  const removedNames = response.removedResourceNames.map((name) =>
    ResourceName.encode(name).finish(),
  );
  const controlPlane = encodedOrEmpty(ControlPlane, response.controlPlane);
  let size =
    stringSize(response.systemVersionInfo) +
    stringSize(response.typeUrl) +
    stringSize(response.nonce) +
    optionalSize(controlPlane);
  for (const parts of resources) size += fieldSize(parts.size);
  for (const name of response.removedResources) size += stringSize(name);
  for (const bytes of removedNames) size += fieldSize(bytes.length);

  const out = new Writer(size);
  out.string(10, response.systemVersionInfo);
  for (const parts of resources) writeResource(out, parts);
  out.string(34, response.typeUrl);
  for (const name of response.removedResources) out.string(50, name);
  for (const bytes of removedNames) out.message(66, bytes);
  out.string(42, response.nonce);
  out.message(58, controlPlane);
  return out.finish();
};

/** `DiscoveryResponse.encode(response).finish()`, written once into a buffer of its size. */
export const serializeDiscoveryResponse = (response: DiscoveryResponse): Buffer => {
  const anySizes = response.resources.map(anySize);
  const controlPlane = encodedOrEmpty(ControlPlane, response.controlPlane);
  let size =
    stringSize(response.versionInfo) +
    (response.canary ? 2 : 0) +
    stringSize(response.typeUrl) +
    stringSize(response.nonce) +
    optionalSize(controlPlane);
  for (const any of anySizes) size += fieldSize(any);

  const out = new Writer(size);
  out.string(10, response.versionInfo);
  response.resources.forEach((any, i) => {
    writeAny(out, 18, any, anySizes[i]!);
  });
  out.bool(24, response.canary);
  out.string(34, response.typeUrl);
  out.string(42, response.nonce);
  out.message(50, controlPlane);
  return out.finish();
};
