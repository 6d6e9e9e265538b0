/**
 * Thrown when the data handed to a drift statistic cannot produce a
 * meaningful number: empty or all-missing samples, values of the wrong type,
 * mismatched feature sets, or invalid options. The message says what is wrong
 * and where.
 *
 * @public
 */
export class DriftInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DriftInputError';
    // Keeps `instanceof` working when compiled down to ES5-style classes.
    Object.setPrototypeOf(this, DriftInputError.prototype);
  }
}
