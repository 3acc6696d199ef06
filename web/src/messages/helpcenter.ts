// The self-service trail's strings of the English catalogue (web/src/i18n.ts merges every area).
export const helpcenter = {
  'trail.title': 'Before this conversation: help center',
  'trail.summary': 'Searches: {searches} · articles read: {articles} · {time}',
  'trail.search': 'Searched “{query}”',
  'trail.results': '{n} results',
  'trail.oneResult': '1 result',
  'trail.noResults': 'no results',
  'trail.article': 'Read “{title}”',
  'trail.page': 'Visited {title}',
  'trail.helpful': 'Said “{title}” helped',
  'trail.notHelpful': 'Said “{title}” did not help',
  'trail.seconds': '{n} s',
  'trail.minutes': '{m} min {s} s',
  'trail.show': 'Show all {n} steps',
  'trail.hide': 'Show fewer',
};
