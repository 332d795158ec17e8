/** The one error line of the page: the last failure of any action, in words. */
export class ErrorLine {
  message = $state('');

  /** Shows a failure; passed to every state module as its `fail`. */
  readonly fail = (err: unknown): void => {
    this.message = (err as Error).message;
  };
}
