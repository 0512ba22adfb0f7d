-- A face-match sighting's month is the month it happened in Britain, not in
-- UTC: 23:30 UTC on 30 June is 00:30 on 1 July in British Summer Time, which
-- runs from 01:00 UTC on the last Sunday of March (the first Sunday on or
-- after the 25th) to 01:00 UTC on the last Sunday of October.  Sightings
-- stored before this were filed by UTC; file them again (crimetab does the
-- same in C for new ones: ct_uk_month).
UPDATE fm_sightings SET month =
  CAST(strftime('%Y', time + bst, 'unixepoch') AS INTEGER) * 12 +
  CAST(strftime('%m', time + bst, 'unixepoch') AS INTEGER) - 1
FROM (
  SELECT s.id AS sid,
    CASE WHEN s.time >= CAST(strftime('%s', date(strftime('%Y', s.time, 'unixepoch') || '-03-25', 'weekday 0')) AS INTEGER) + 3600
          AND s.time < CAST(strftime('%s', date(strftime('%Y', s.time, 'unixepoch') || '-10-25', 'weekday 0')) AS INTEGER) + 3600
         THEN 3600 ELSE 0 END AS bst
  FROM fm_sightings s
) AS b
WHERE fm_sightings.id = b.sid;
