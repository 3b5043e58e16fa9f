// Kept for the mail modules' imports; the one implementation is src/project-root.ts.
export { projectRoot, projectPath } from '../project-root.js';
