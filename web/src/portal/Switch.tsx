// An on/off switch: a checkbox with the switch role, its label, and an
// optional hint read out with it.
import { useId } from 'preact/hooks';

interface Props {
  label: string;
  hint?: string;
  checked: boolean;
  disabled?: boolean;
  onChange?: (on: boolean) => void;
  testid?: string;
}

/** Switch is one labelled on/off row. */
export function Switch({ label, hint, checked, disabled, onChange, testid }: Props) {
  const id = useId();
  return (
    <div class="switch-row">
      <span class="grow">
        <label for={id}>{label}</label>
        {hint && (
          <small id={`${id}-hint`} class="muted block">
            {hint}
          </small>
        )}
      </span>
      <input
        id={id}
        type="checkbox"
        role="switch"
        class="switch"
        checked={checked}
        disabled={disabled}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onChange={(e) => onChange?.(e.currentTarget.checked)}
        data-testid={testid}
      />
    </div>
  );
}
