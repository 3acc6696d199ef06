// The admin form helpers moved to components/admin/form (the admin kit, ADR
// 0059). This re-export keeps pages written against the old place building
// while branches that import it are merged; new code imports the kit.
export * from '../components/admin/form';
