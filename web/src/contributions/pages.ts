// The contribution pages, one chunk.
export { ContributionsPage } from './ContributionsPage';
export { WorkPage } from './WorkPage';
