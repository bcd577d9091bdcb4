/** The console's name in the top bar, on every screen including the lock screen. */
export function Brand() {
  return (
    <div className="brand" aria-label="Confidant">
      <span className="brand-mark" aria-hidden="true" />
      Confidant
    </div>
  );
}
