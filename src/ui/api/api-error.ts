// What the HTTP API refuses, with the status it answers (docs/api.md, "Errors"). The server is
// the one place that turns these into responses: `{"v":1,"error":{"code","message"}}`.

import { IoamError, type IoamErrorCode } from "../../errors.js";

const STATUS: Partial<Record<IoamErrorCode, number>> = { BAD_PARAMETER: 400, UNAUTHORIZED: 401, FORBIDDEN: 403, NOT_FOUND: 404 };

/** A refused request: `code` is stable, `status` the HTTP status it maps to. */
export class ApiError extends IoamError {
  readonly status: number;
  constructor(code: "BAD_PARAMETER" | "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND", message: string) {
    super(code, message);
    this.name = "ApiError";
    this.status = STATUS[code]!;
  }
}

/** A request parameter that cannot be read: 400 naming the parameter and what it expects. */
export function badParameter(name: string, value: string, expected: string): ApiError {
  return new ApiError("BAD_PARAMETER", `${name}=${JSON.stringify(value)}: ${expected}`);
}
