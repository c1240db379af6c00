import { AppError } from "@parley/contracts";

/** The AppError `run` throws; any other error is thrown on, and returning normally is a failure. */
export function catchAppError(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected an AppError");
}
