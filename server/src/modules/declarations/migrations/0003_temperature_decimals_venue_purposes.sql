-- Two amendments to the standard forms as seeded by 0002 (issue 14), made in place on the versions that still have
-- the seeded questions:
--   * temperature questions take at most one decimal ("decimals": 1): 38.5 °C is a reading, 38.55 a typo;
--   * the venue form's "purpose of the visit" offers treatment and patient visits at hospitals and clinics only,
--     and purposes that fit other places (shopping, study, travel, events) there ("venueTypes" on an option).
-- Versions are otherwise never changed after they are created. These two only narrow what new answers may be or
-- add choices: every stored answer keeps its meaning and stays valid (the four original choices remain), so a new
-- version (which would make phones holding version 1 reload the form) is not needed. A form an administrator
-- already edited keeps its own questions.
update declaration_form_versions v
set questions = (
  select jsonb_agg(
    case
      when q->>'key' = 'temperature' and q->>'type' = 'number' and not q ? 'decimals' then q || '{"decimals":1}'::jsonb
      when v.form_key = 'venue' and q->>'key' = 'visit_purpose'
        and (select jsonb_agg(o->>'value' order by n) from jsonb_array_elements(q->'options') with ordinality as x(o, n)) = '["treatment","visit_patient","work","other"]'::jsonb
        then jsonb_set(q, '{options}', $json$[{"value":"treatment","label":{"vi":"Khám, chữa bệnh","en":"Medical examination or treatment"},"venueTypes":["hospital","clinic"]},{"value":"visit_patient","label":{"vi":"Thăm, chăm sóc người bệnh","en":"Visiting or caring for a patient"},"venueTypes":["hospital","clinic"]},{"value":"customer","label":{"vi":"Mua sắm, ăn uống, sử dụng dịch vụ","en":"Shopping, eating or using a service"},"venueTypes":["market","supermarket","restaurant","hotel","station","other"]},{"value":"study","label":{"vi":"Học tập","en":"Study"},"venueTypes":["school"]},{"value":"travel","label":{"vi":"Đi tàu, xe, máy bay","en":"Travelling (train, bus, plane)"},"venueTypes":["station"]},{"value":"event","label":{"vi":"Dự sự kiện, lễ, hội họp","en":"Attending an event, ceremony or meeting"},"venueTypes":["event","religious","hotel","office","other"]},{"value":"work","label":{"vi":"Công tác, làm việc","en":"Work"}},{"value":"other","label":{"vi":"Khác","en":"Other"}}]$json$::jsonb)
      else q
    end
    order by i
  )
  from jsonb_array_elements(v.questions) with ordinality as e(q, i)
)
where v.version = 1 and v.created_by is null and v.form_key in ('domestic', 'entry', 'venue');
