// Attributes a NACK to resources: Envoy names the rejected resources in error_detail.message
// (e.g. "Error adding/updating listener(s) l1: ..."), so the sent names found in it are the culprits.

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Names of `sent` that the message mentions as whole tokens; all of them when it names none. */
export const attributeRejection = (
  message: string,
  sent: readonly string[],
): { names: readonly string[]; attributed: boolean } => {
  // Envoy lists names separated by ", " and ends the list with ": " (cds_api_helper.cc,
  // lds_api.cc); quotes and brackets appear in other messages.
  const named = sent.filter((name) =>
    new RegExp(`(^|[\\s,;:()'"\\[\\]])${escapeRegExp(name)}($|[\\s,;:()'"\\[\\]])`).test(message),
  );
  return named.length > 0 ? { names: named, attributed: true } : { names: sent, attributed: false };
};
