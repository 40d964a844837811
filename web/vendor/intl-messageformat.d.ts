// The console imports intl-messageformat from ./vendor/intl-messageformat.js, which api/console.ts serves from
// node_modules (the package's single-file ES module); this lets web/tsconfig.json type-check that import.
export * from 'intl-messageformat';
