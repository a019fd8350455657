export { EmovoxInputError, errorMessage } from './errors.js';
