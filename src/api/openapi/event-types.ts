import type { Operation } from './operation.js';
import { ITERATOR, LIMIT, ORDER } from './params.js';
import {
  anyJson,
  array,
  bool,
  dateTime,
  listOf,
  NAME,
  nullable,
  object,
  type Schema,
  str,
} from './schema.js';

const schemasField = nullable({
  type: 'object',
  description: 'JSON Schemas of the payload by version (`{"1": {...}}`)',
});

function eventTypeIn(withName: boolean, descriptionRequired: boolean): Schema {
  const description = str({ maxLength: 16_384 });
  const properties: Record<string, Schema> = {
    ...(withName ? { name: str({ ...NAME, examples: ['payment.succeeded'] }) } : {}),
    description: descriptionRequired ? description : nullable(description),
    archived: nullable(bool()),
    deprecated: nullable(bool()),
    schemas: schemasField,
    featureFlag: nullable(str(NAME)),
    featureFlags: nullable(array(str(NAME), { maxItems: 1, description: 'Hookline keeps one flag' })),
    groupName: nullable(str(NAME)),
  };
  const required = [...(withName ? ['name'] : []), ...(descriptionRequired ? ['description'] : [])];
  return object(properties, required);
}

export const eventTypeSchemas: Record<string, Schema> = {
  EventTypeIn: eventTypeIn(true, true),
  EventTypeUpdate: eventTypeIn(false, true),
  EventTypePatch: eventTypeIn(false, false),
  EventTypeOut: object(
    {
      name: str(),
      description: str(),
      archived: bool(),
      deprecated: bool(),
      schemas: { ...anyJson('Left out of lists unless `with_content=true`'), type: ['object', 'null'] },
      featureFlag: nullable(str()),
      featureFlags: nullable(array(str())),
      groupName: nullable(str()),
      createdAt: dateTime(),
      updatedAt: dateTime(),
    },
    [
      'name',
      'description',
      'archived',
      'deprecated',
      'featureFlag',
      'featureFlags',
      'groupName',
      'createdAt',
      'updatedAt',
    ],
  ),
  ListResponse_EventTypeOut_: listOf('EventTypeOut'),
};

const tag = 'Event Type';
const path = '/api/v1/event-type/{event_type_name}';

export const eventTypeOperations: Operation[] = [
  {
    method: 'GET',
    path: '/api/v1/event-type',
    operationId: 'v1.event-type.list',
    tag,
    summary: 'List event types',
    query: [
      LIMIT,
      ITERATOR,
      ORDER,
      { name: 'include_archived', schema: bool({ default: false }), description: 'Include archived types' },
      { name: 'with_content', schema: bool({ default: false }), description: 'Include each type’s schemas' },
    ],
    responses: { 200: 'ListResponse_EventTypeOut_' },
  },
  {
    method: 'POST',
    path: '/api/v1/event-type',
    operationId: 'v1.event-type.create',
    tag,
    summary: 'Create an event type',
    body: { schema: 'EventTypeIn' },
    responses: { 201: 'EventTypeOut' },
  },
  {
    method: 'GET',
    path,
    operationId: 'v1.event-type.get',
    tag,
    summary: 'Get an event type',
    responses: { 200: 'EventTypeOut' },
  },
  {
    method: 'PUT',
    path,
    operationId: 'v1.event-type.update',
    tag,
    summary: 'Replace an event type, or create it (201)',
    body: { schema: 'EventTypeUpdate' },
    responses: { 200: 'EventTypeOut', 201: 'EventTypeOut' },
  },
  {
    method: 'PATCH',
    path,
    operationId: 'v1.event-type.patch',
    tag,
    summary: 'Change some fields of an event type',
    body: { schema: 'EventTypePatch' },
    responses: { 200: 'EventTypeOut' },
  },
  {
    method: 'DELETE',
    path,
    operationId: 'v1.event-type.delete',
    tag,
    summary: 'Archive an event type (`expunge=true` deletes it)',
    query: [
      { name: 'expunge', schema: bool({ default: false }), description: 'Delete instead of archiving' },
    ],
    responses: { 204: null },
  },
];
