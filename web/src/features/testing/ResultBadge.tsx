import { Badge } from '@mantine/core';
import type { PersonResult, ResultValue } from './api';
import { useTestingLabel } from './i18n';

export const RESULT_COLOR: Record<ResultValue | PersonResult['outcome'], string> = {
  positive: 'red',
  'pool-positive': 'orange',
  negative: 'teal',
  invalid: 'gray',
  waiting: 'yellow',
};

/** A tube's result (or a person's outcome); no result yet reads "awaiting result". */
export function ResultBadge({ result }: { result: ResultValue | PersonResult['outcome'] | null }) {
  const label = useTestingLabel();
  const r = result ?? 'waiting';
  return (
    <Badge color={RESULT_COLOR[r]} variant="light" data-testid="result-badge">
      {label('results', r)}
    </Badge>
  );
}
