import { TwinbedError } from '../../protocol';

/** What a request asked for does not exist; the REST API answers 404. */
export class NotFoundError extends TwinbedError {
  constructor(message: string) {
    super('E_NOT_FOUND', message);
  }
}

/** The request's parameters, query or body do not validate; the message starts with the field. The REST API answers 400. */
export class BadRequestError extends TwinbedError {
  constructor(message: string) {
    super('E_BAD_REQUEST', message);
  }
}

/** A request body over the size limit; the REST API answers 413. */
export class PayloadTooLargeError extends TwinbedError {
  constructor(message: string) {
    super('E_PAYLOAD_TOO_LARGE', `body: ${message}; send less at a time`);
  }
}

/** A route that cannot be served or documented as written (path and params disagree, a duplicate); found at startup. */
export class RouteDefinitionError extends TwinbedError {
  constructor(route: string, reason: string) {
    super('E_ROUTE_DEFINITION', `${route}: ${reason}`);
  }
}

/** A handler returned a value its documented response schema rejects: the code and its OpenAPI document disagree. */
export class ResponseSchemaError extends TwinbedError {
  constructor(route: string, field: string, reason: string) {
    super('E_RESPONSE_SCHEMA', `${route} answered with ${field || 'a body'} that its response schema rejects (${reason}); fix the handler or the schema`);
  }
}

/** What a request asks for conflicts with what the cloud holds now (its data, a state); the REST API answers 409. */
export class ConflictError extends TwinbedError {
  constructor(message: string) {
    super('E_CONFLICT', message);
  }
}
