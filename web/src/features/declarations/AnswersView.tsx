import { Badge, Table, Text } from '@mantine/core';
import { useMemo, type ReactNode } from 'react';
import type { AnswerValue, Question } from './api';
import { useDeclT } from './i18n';

/** Read-only answers of a declaration, in the form's order and language; "yes" to a symptom stands out. */
export function AnswersView({ questions, answers, lang }: { questions: Question[]; answers: unknown; lang: 'vi' | 'en' }) {
  const td = useDeclT();
  const a = (answers ?? {}) as Record<string, AnswerValue>;
  const countries = useMemo(() => {
    try {
      return new Intl.DisplayNames([lang], { type: 'region' });
    } catch {
      return null;
    }
  }, [lang]);
  const show = (q: Question, v: AnswerValue): ReactNode => {
    if (typeof v === 'boolean')
      return (
        <Badge variant="light" color={v ? 'orange' : 'gray'}>
          {v ? td('form.yes') : td('form.no')}
        </Badge>
      );
    const opt = (x: string) => q.options?.find((o) => o.value === x)?.label[lang] ?? (q.type === 'country' ? (countries?.of(x) ?? x) : x);
    if (Array.isArray(v)) return v.map(opt).join(', ');
    if (typeof v === 'string') return opt(v);
    return `${v}${q.unit ? ` ${q.unit}` : ''}`;
  };
  return (
    <Table variant="vertical" withRowBorders verticalSpacing={4} data-testid="answers">
      <Table.Tbody>
        {questions
          .filter((q) => a[q.key] !== undefined)
          .map((q) => (
            <Table.Tr key={q.key}>
              <Table.Th fw={400} w="60%">
                <Text size="sm">{q.label[lang]}</Text>
              </Table.Th>
              <Table.Td>{show(q, a[q.key]!)}</Table.Td>
            </Table.Tr>
          ))}
      </Table.Tbody>
    </Table>
  );
}
