// A CommonJS Nest app loads the ESM package through require(esm) (Node >= 20.19).
const { EventSourcingModule } = require('nestjs-event-sourcing');
const { EventSourcingTestingModule } = require('nestjs-event-sourcing/testing');
console.log(typeof EventSourcingModule.forRoot, typeof EventSourcingTestingModule.forRoot);
