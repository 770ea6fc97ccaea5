import type { Operation } from './operation.js';
import { ORDER, PAGE } from './params.js';
import {
  dateTime,
  int,
  listOf,
  MAX_INT,
  nullable,
  object,
  type Schema,
  str,
  stringMap,
  UID,
} from './schema.js';

const rate = (what: string) => nullable(int({ minimum: 1, maximum: MAX_INT, description: what }));

function applicationIn(nameRequired: boolean): Schema {
  const name = str({ minLength: 1, maxLength: 256, examples: ['Acme Shop'] });
  return object(
    {
      name: nameRequired ? name : nullable(name),
      uid: nullable(
        str({ ...UID, description: 'Your own unique identifier; never shaped like an id (app_...)' }),
      ),
      throttleRate: rate('Maximum messages per second to its endpoints'),
      rateLimit: rate('The older name of throttleRate; either is accepted'),
      metadata: nullable(stringMap()),
    },
    nameRequired ? ['name'] : [],
  );
}

export const applicationSchemas: Record<string, Schema> = {
  ApplicationIn: applicationIn(true),
  ApplicationPatch: applicationIn(false),
  ApplicationOut: object(
    {
      id: str({ examples: ['app_2yZwUhtgs1Ai8T9SgZlXuxygN3j'] }),
      uid: nullable(str(UID)),
      name: str(),
      rateLimit: nullable(int()),
      throttleRate: nullable(int()),
      metadata: stringMap(),
      createdAt: dateTime(),
      updatedAt: dateTime(),
    },
    ['id', 'uid', 'name', 'rateLimit', 'throttleRate', 'metadata', 'createdAt', 'updatedAt'],
  ),
  ListResponse_ApplicationOut_: listOf('ApplicationOut'),
};

const tag = 'Application';
const path = '/api/v1/app/{app_id}';
const onlyFalse = (name: string) => ({
  name,
  schema: { type: 'boolean' },
  description: 'Svix filter Hookline does not implement: only `false` is accepted',
});

export const applicationOperations: Operation[] = [
  {
    method: 'GET',
    path: '/api/v1/app',
    operationId: 'v1.application.list',
    tag,
    summary: 'List applications',
    query: [
      ...PAGE,
      ORDER,
      onlyFalse('exclude_apps_with_no_endpoints'),
      onlyFalse('exclude_apps_with_disabled_endpoints'),
      onlyFalse('exclude_apps_with_svix_play_endpoints'),
    ],
    responses: { 200: 'ListResponse_ApplicationOut_' },
  },
  {
    method: 'POST',
    path: '/api/v1/app',
    operationId: 'v1.application.create',
    tag,
    summary: 'Create an application',
    description: 'With `get_if_exists=true`, an application with the same uid is returned (200) instead.',
    query: [
      {
        name: 'get_if_exists',
        schema: { type: 'boolean', default: false },
        description: 'Return the application with this uid (200) if there is one',
      },
    ],
    body: { schema: 'ApplicationIn' },
    responses: { 200: 'ApplicationOut', 201: 'ApplicationOut' },
  },
  {
    method: 'GET',
    path,
    operationId: 'v1.application.get',
    tag,
    summary: 'Get an application',
    responses: { 200: 'ApplicationOut' },
  },
  {
    method: 'PUT',
    path,
    operationId: 'v1.application.update',
    tag,
    summary: 'Replace an application',
    body: { schema: 'ApplicationIn' },
    responses: { 200: 'ApplicationOut' },
  },
  {
    method: 'PATCH',
    path,
    operationId: 'v1.application.patch',
    tag,
    summary: 'Change some fields of an application',
    body: { schema: 'ApplicationPatch' },
    responses: { 200: 'ApplicationOut' },
  },
  {
    method: 'DELETE',
    path,
    operationId: 'v1.application.delete',
    tag,
    summary: 'Delete an application, its endpoints and messages',
    responses: { 204: null },
  },
];
