// The supervisor strings of the English catalogue (web/src/i18n.ts merges every area).
export const supervisor = {} as const;
