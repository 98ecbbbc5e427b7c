// A named kind of event (`invoice.paid`) with its description, JSON schemas and archive flag.
export type EventType = {
  name: string;
  description: string;
  archived: boolean;
  deprecated: boolean;
  schemas: Record<string, unknown> | null;
  featureFlag: string | null;
  groupName: string | null;
  createdAt: number;
  updatedAt: number;
};

export type EventTypeFields = Omit<EventType, 'name' | 'createdAt' | 'updatedAt'>;

/** Event type names: letters, digits, `-`, `_` and `.`, at most 256 characters. */
export const eventTypeNamePattern = '^[a-zA-Z0-9\\-_.]+$';

/** The example payload an event type's schema carries (Svix reads `schemas["1"].examples[0]`). */
export function exampleOf(eventType: EventType): Record<string, unknown> | null {
  const schemas = eventType.schemas;
  if (!schemas) return null;
  for (const schema of Object.values(schemas)) {
    const examples = (schema as { examples?: unknown[] } | null)?.examples;
    const first = Array.isArray(examples) ? examples[0] : undefined;
    if (first && typeof first === 'object' && !Array.isArray(first)) {
      return first as Record<string, unknown>;
    }
  }
  return null;
}
