-- The default scripts' names as supervisors read them, per language (calls/default-scripts.ts TITLES): stored
-- scripts seeded before scripts had a title showed their code ("daily-health-check") on the campaign pages.
update call_scripts set body = body || jsonb_build_object('title', t.title)
from (values
  ('daily-health-check', '{"vi": "Kiểm tra sức khỏe hằng ngày F1/F2", "en": "Daily health check of F1/F2"}'::jsonb),
  ('daily-health-check-en', '{"vi": "Kiểm tra sức khỏe hằng ngày F1/F2", "en": "Daily health check of F1/F2"}'::jsonb),
  ('returnee-survey', '{"vi": "Khảo sát người về từ vùng dịch", "en": "Survey of people back from outbreak areas"}'::jsonb),
  ('returnee-survey-en', '{"vi": "Khảo sát người về từ vùng dịch", "en": "Survey of people back from outbreak areas"}'::jsonb),
  ('hotline-self-report', '{"vi": "Tự khai báo sức khỏe qua tổng đài", "en": "Health self-report on the hotline"}'::jsonb),
  ('hotline-self-report-en', '{"vi": "Tự khai báo sức khỏe qua tổng đài", "en": "Health self-report on the hotline"}'::jsonb)
) as t(name, title)
where call_scripts.name = t.name and not (call_scripts.body ? 'title');
