// A venue's status (pending / approved / suspended) as a coloured badge.
import { Badge } from '@mantine/core';
import { useVenueTexts } from './texts';

const statusColor: Record<string, string> = { pending: 'yellow', approved: 'green', suspended: 'red' };

export function StatusBadge({ status }: { status: string }) {
  const { label } = useVenueTexts();
  return (
    <Badge color={statusColor[status] ?? 'gray'} variant="light">
      {label('statuses', status)}
    </Badge>
  );
}
