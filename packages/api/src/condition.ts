// metav1.Condition: the shape of every status condition Gateway API and Envoy Gateway write.

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  /** The metadata.generation the condition was computed from. */
  observedGeneration?: number | undefined;
  /** RFC 3339 time of the last change of status. */
  lastTransitionTime?: string | undefined;
}
