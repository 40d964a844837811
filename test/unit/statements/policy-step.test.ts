/** The STATEMENT policy step (template `statement`): a PRE_DUE or REMINDER step by e-mail or PEC, refused otherwise. */
import { DEFAULT_POLICY_SETTINGS, policyBodySchema } from '../../../domain/policy';

const body = (step: Record<string, unknown>) => ({
  name: 'with a statement',
  steps: [{ stage: 'REMINDER', offset: 'P3D', channels: ['EMAIL'], template: 'reminder-1' }, step],
  settings: DEFAULT_POLICY_SETTINGS,
});
const problems = (step: Record<string, unknown>) => {
  const r = policyBodySchema.safeParse(body(step));
  return r.success ? [] : r.error.issues.map((i) => [i.path.join('.'), i.message]);
};

describe('STATEMENT step', () => {
  it('is a REMINDER step by e-mail and PEC', () => {
    expect(problems({ stage: 'REMINDER', offset: 'P7D', channels: ['EMAIL', 'PEC'], template: 'statement' })).toEqual(
      [],
    );
  });

  it('refuses a channel a statement cannot take, naming it', () => {
    expect(problems({ stage: 'REMINDER', offset: 'P7D', channels: ['EMAIL', 'SMS'], template: 'statement' })).toEqual([
      ['steps.1.channels.1', 'a statement of account goes by EMAIL or PEC'],
    ]);
  });

  it('refuses a stage other than PRE_DUE or REMINDER', () => {
    expect(problems({ stage: 'LEGAL', offset: 'P7D', channels: ['EMAIL'], template: 'statement' })).toEqual([
      ['steps.1.stage', 'a statement step is a PRE_DUE or REMINDER step'],
    ]);
  });
});
