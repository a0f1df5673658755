/**
 * @internal The longest delay a Node timer holds (2^31-1 ms, about 24.8 days): a longer one runs
 * after 1 ms (with a TimeoutOverflowWarning), so the adapter's deadlines and sleeps are held at this.
 */
export const MAX_DELAY = 2 ** 31 - 1;
