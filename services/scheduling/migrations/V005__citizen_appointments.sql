-- A citizen's appointments in every state, by blind index: the scheduling part of a data
-- subject's access request (sportelli.audit.v1.AuditService/ExportCitizenData) and of erasure.
-- appointments_citizen covers only BOOKED ones (the per-citizen limit).
CREATE INDEX appointments_citizen_all ON scheduling.appointments (tenant_id, citizen_index, start_time);
