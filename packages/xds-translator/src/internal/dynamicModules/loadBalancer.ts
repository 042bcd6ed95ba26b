// BackendTrafficPolicy `loadBalancer.type: DynamicModule`: Envoy's dynamic modules load balancing
// policy, the host picked by a load balancer the module implements
// (https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/load_balancing_policies/dynamic_modules/v3/dynamic_modules.proto).
import { DynamicModulesLoadBalancerConfig, packAny, StringValue } from '@egts/envoy-api';
import type { LoadBalancer } from '@egts/ir';
import { dynamicModuleConfig } from './moduleSource.js';

type ModuleLoadBalancer = NonNullable<LoadBalancer['dynamicModule']>;

/** The module's source is known: its Gateway's EnvoyProxy registers it (a path or a URL). */
export const moduleResolved = (
  lb: LoadBalancer | undefined,
): lb is LoadBalancer & {
  dynamicModule: ModuleLoadBalancer;
} =>
  lb?.type === 'DynamicModule' &&
  lb.dynamicModule !== undefined &&
  (lb.dynamicModule.path !== undefined || lb.dynamicModule.url !== undefined);

/** The typed load balancing policy naming the module's load balancer and its configuration. */
export function moduleLoadBalancerPolicy(module: ModuleLoadBalancer) {
  return {
    name: 'envoy.load_balancing_policies.dynamic_modules',
    typedConfig: packAny(
      DynamicModulesLoadBalancerConfig,
      DynamicModulesLoadBalancerConfig.fromPartial({
        dynamicModuleConfig: dynamicModuleConfig(module),
        lbPolicyName: module.lbPolicyName,
        ...(module.config === undefined
          ? {}
          : { lbPolicyConfig: packAny(StringValue, { value: module.config }) }),
      }),
    ),
  };
}
