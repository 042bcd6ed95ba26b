// The admin config dump of what each Gateway serves and each proxy ACKed (versions by name), and
// the proxy state the xDS tracker keeps for it (xdsTracker.ts).
import type { Rejection, SnapshotCache, StreamInfo, VersionedResource } from '@egts/xds-server';
import { TypeUrl } from '@egts/xds-server';

export interface ProxyState {
  nodeId: string;
  group: string | undefined;
  variant: StreamInfo['variant'];
  /** When the stream opened (ISO 8601). */
  connectedAt: string;
  /**
   * Per type URL: the group's snapshot resources when the proxy ACKed that type (the snapshot's
   * own immutable map; the config dump turns it into versions by name). Building that record on
   * every ACK cost thousands of entries per change, kept until the next ACK (old-generation
   * garbage) for a dump hardly ever asked for.
   */
  acked: Record<string, ReadonlyMap<string, VersionedResource>>;
  /** Per type URL: when the proxy last ACKed it (ISO 8601). */
  ackedAt: Record<string, string>;
  /** The last ten NACKs, oldest first. */
  rejected: Array<{
    typeUrl: string;
    resources: Rejection['resources'];
    message: string;
    at: string;
  }>;
  /**
   * The latest rejection of each resource (by type URL and name), for /problems: a later NACK of
   * another resource of the same type does not hide this one, which the proxy still refuses.
   */
  latestRejections: Map<string, Rejection>;
}

/** A group's current snapshot resources of one type (none for an unknown group). */
export const resourcesOf = (
  cache: SnapshotCache,
  group: string | undefined,
  typeUrl: string,
): ReadonlyMap<string, VersionedResource> =>
  (group === undefined ? undefined : cache.getSnapshot(group))?.snapshot.resources(typeUrl) ??
  new Map<string, VersionedResource>();

const versions = (resources: ReadonlyMap<string, VersionedResource>): Record<string, string> => {
  const byName: Record<string, string> = {};
  for (const [name, resource] of resources) byName[name] = resource.version;
  return byName;
};

export const configDump = (cache: SnapshotCache, proxies: Iterable<ProxyState>): unknown => ({
  gateways: Object.fromEntries(
    cache
      .groups()
      .map((group) => [
        group,
        Object.fromEntries(
          Object.values(TypeUrl).map((typeUrl) => [
            typeUrl,
            versions(resourcesOf(cache, group, typeUrl)),
          ]),
        ),
      ]),
  ),
  proxies: [...proxies].map(({ latestRejections: _, acked, ...proxy }) => ({
    ...proxy,
    acked: Object.fromEntries(
      Object.entries(acked).map(([typeUrl, resources]) => [typeUrl, versions(resources)]),
    ),
  })),
});
