import { Anchor, Title } from '@mantine/core';
import { Link } from 'react-router';
import { useDeclT } from './i18n';

/** The heading of a page under the work list (dashboard, forms & rules): a link back to the list, then the title. */
export function SubPageHeader({ title }: { title: string }) {
  const td = useDeclT();
  return (
    <div>
      <Anchor component={Link} to=".." relative="path" size="sm">
        ← {td('worklist.title')}
      </Anchor>
      <Title order={1} size="h2">
        {title}
      </Title>
    </div>
  );
}
