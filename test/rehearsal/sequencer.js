// Jest's default order (failed first, then slowest first), with the production-shaped rehearsal moved to the end: in
// CI its Temporal server binary may still be building in the background (scripts/test.sh starts it first), so it
// runs when everything else is done and has had that time to finish.
const Sequencer = require('@jest/test-sequencer').default;

class RehearsalLast extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    const isRehearsal = (t) => /[\\/]test[\\/]rehearsal[\\/]/.test(t.path);
    return [...sorted.filter((t) => !isRehearsal(t)), ...sorted.filter(isRehearsal)];
  }
}

module.exports = RehearsalLast;
