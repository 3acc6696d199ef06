// The conversation strings of the English catalogue (web/src/i18n.ts merges every area).
export const conversation = {} as const;
