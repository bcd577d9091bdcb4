interface Option {
  id: string;
  label: string;
}

interface Props {
  legend: string;
  options: Option[];
  selected: string[];
  onChange: (selected: string[]) => void;
  /** Shown instead of the boxes when there are no options. */
  empty: string;
}

/** A labelled group of checkboxes choosing several of `options`. */
export function CheckboxList({ legend, options, selected, onChange, empty }: Props) {
  return (
    <fieldset className="field">
      <legend>{legend}</legend>
      {options.length === 0 ? (
        <p className="muted small">{empty}</p>
      ) : (
        options.map((o) => (
          <label key={o.id} className="check">
            <input
              type="checkbox"
              checked={selected.includes(o.id)}
              onChange={(e) => onChange(e.target.checked ? [...selected, o.id] : selected.filter((x) => x !== o.id))}
            />
            {o.label}
          </label>
        ))
      )}
    </fieldset>
  );
}
