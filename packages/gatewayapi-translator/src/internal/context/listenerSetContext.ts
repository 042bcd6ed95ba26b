// ListenerSetContext: a ListenerSet (GEP-1713) attached to one of our Gateways; owns its status.
import type { ListenerSet } from '@egts/api';
import { Conditions } from '../status/conditions.js';
import type { GatewayContext } from './gatewayContext.js';
import type { ListenerContext } from './listenerContext.js';

export class ListenerSetContext {
  readonly conditions: Conditions;
  readonly listeners: ListenerContext[] = [];

  constructor(
    readonly resource: ListenerSet,
    readonly gateway: GatewayContext,
  ) {
    this.conditions = new Conditions(resource.metadata.generation ?? undefined);
  }

  get namespace(): string {
    return this.resource.metadata.namespace ?? 'default';
  }
  get name(): string {
    return this.resource.metadata.name;
  }
}
