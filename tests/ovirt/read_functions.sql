-- oVirt's own read functions and views over the job, step, command and task tables, copied
-- unchanged from oVirt/ovirt-engine at commit 0111fc63036bca662aa6275a8ad16282cccf86bf:
-- packaging/dbscripts/create_functions.sql (the result types), create_views.sql (step_progress,
-- entity_step_progress), job_sp.sql, command_entities_sp.sql, async_tasks_sp.sql,
-- business_entity_snapshot_sp.sql, audit_log_sp.sql and, for GetAllCommandsWithRunningTasks
-- and GetAllCommands, the task cleaner's packaging/setup/dbutils/taskcleaner_sp_3_5.sql.
-- tests/integration/test_ovirt_schema.py installs them on tasktrail's read model and calls them.
-- Licensed by the oVirt project under the Apache License 2.0.

-- ==== from packaging/dbscripts/create_functions.sql ====
DROP TYPE IF EXISTS idUuidType CASCADE;
CREATE TYPE iduuidtype AS (id uuid);

DROP TYPE IF EXISTS booleanResultType CASCADE;
CREATE TYPE booleanresulttype AS (result boolean);

-- ==== from packaging/dbscripts/create_views.sql ====
CREATE OR REPLACE VIEW step_progress AS
   SELECT s.step_id, s.job_id, COALESCE(s.progress, CASE s.status WHEN 'FINISHED' THEN 100 END, 0) as progress
   FROM step s;

CREATE OR REPLACE VIEW entity_step_progress AS
SELECT sse.entity_id, SUM(s.progress*sse.step_entity_weight/100) AS progress
FROM step_subject_entity sse
INNER JOIN step_progress s
    ON s.step_id = sse.step_id
INNER JOIN job j
    ON s.job_id = j.job_id
WHERE sse.step_entity_weight IS NOT NULL
    AND j.status = 'STARTED'
    AND s.progress IS NOT NULL
GROUP BY sse.entity_id;

-- ==== from packaging/dbscripts/job_sp.sql ====
CREATE OR REPLACE FUNCTION GetJobByJobId (v_job_id UUID)
RETURNS SETOF job STABLE AS $FUNCTION$
BEGIN
    RETURN QUERY

    SELECT job.*
    FROM JOB
    WHERE job_id = v_job_id;
END;$FUNCTION$
LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION GetAllJobs ()
RETURNS SETOF job STABLE AS $FUNCTION$
BEGIN
    RETURN QUERY

    SELECT job.*
    FROM JOB
    WHERE status != 'UNKNOWN'
    ORDER BY start_time DESC;
END;$FUNCTION$
LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION GetJobsByOffsetAndPageSize (
    v_position INT,
    v_page_size INT
    )
RETURNS SETOF job STABLE AS $FUNCTION$
BEGIN
    RETURN QUERY(SELECT job.* FROM JOB WHERE status = 'STARTED' ORDER BY last_update_time DESC)

    UNION ALL

    (
        SELECT job.*
        FROM JOB
        WHERE status NOT IN (
                'STARTED',
                'UNKNOWN'
                )
        ORDER BY last_update_time DESC
        ) OFFSET v_position LIMIT v_page_size;
END;$FUNCTION$
LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION GetJobsByCorrelationId (v_correlation_id VARCHAR(50))
RETURNS SETOF job STABLE AS $FUNCTION$
BEGIN
    RETURN QUERY

    SELECT job.*
    FROM JOB
    WHERE correlation_id = v_correlation_id;
END;$FUNCTION$
LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION GetJobsByEngineSessionSeqIdAndStatus (
    v_engine_session_seq_id BIGINT,
    v_status VARCHAR(32)
    )
RETURNS SETOF job STABLE AS $FUNCTION$
BEGIN
    RETURN QUERY
    SELECT job.*
    FROM JOB
    WHERE engine_session_seq_id = v_engine_session_seq_id
        AND status = v_status;
END;$FUNCTION$
LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION GetJobSubjectEntityByJobId (v_job_id UUID)
RETURNS SETOF job_subject_entity STABLE AS $FUNCTION$
BEGIN
    RETURN QUERY

    SELECT job_subject_entity.*
    FROM job_subject_entity
    WHERE job_id = v_job_id;
END;$FUNCTION$
LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION GetAllJobIdsByEntityId (v_entity_id UUID)
RETURNS SETOF UUID STABLE AS $FUNCTION$
BEGIN
    RETURN QUERY

    SELECT job_subject_entity.job_id
    FROM job_subject_entity
    WHERE entity_id = v_entity_id;
END;$FUNCTION$
LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION GetStepByStepId (v_step_id UUID)
RETURNS SETOF step STABLE AS $FUNCTION$
BEGIN
    RETURN QUERY

    SELECT step.*
    FROM step
    WHERE step_id = v_step_id;
END;$FUNCTION$
LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION GetStepsByJobId (v_job_id UUID)
RETURNS SETOF step STABLE AS $FUNCTION$
BEGIN
    RETURN QUERY

    SELECT step.*
    FROM step
    WHERE job_id = v_job_id
    ORDER BY parent_step_id nulls first,
        step_number;
END;$FUNCTION$
LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION GetStepsByParentStepId (v_parent_step_id UUID)
RETURNS SETOF step STABLE AS $FUNCTION$
BEGIN
    RETURN QUERY

    SELECT step.*
    FROM step
    WHERE parent_step_id = v_parent_step_id
    ORDER BY step_number;
END;$FUNCTION$
LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION GetAllSteps ()
RETURNS SETOF step STABLE AS $FUNCTION$
BEGIN
    RETURN QUERY

    SELECT step.*
    FROM step;
END;$FUNCTION$
LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION GetStepSubjectEntitiesByStepId (v_step_id UUID)
RETURNS SETOF step_subject_entity STABLE AS $FUNCTION$
BEGIN
    RETURN QUERY
    SELECT *
    FROM step_subject_entity
    WHERE step_id = v_step_id;
END;$FUNCTION$
LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION CheckIfJobHasTasks (v_job_id UUID)
RETURNS SETOF booleanResultType STABLE AS $FUNCTION$
BEGIN
    RETURN QUERY

    SELECT EXISTS (
            SELECT *
            FROM step
            WHERE job_id = v_job_id
                AND external_id IS NOT NULL
                AND external_system_type IN (
                    'VDSM',
                    'GLUSTER'
                    )
            );
END;$FUNCTION$
LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION GetStepsByExternalTaskId (v_external_id UUID)
RETURNS SETOF step STABLE AS $FUNCTION$
BEGIN
    RETURN QUERY

    SELECT step.*
    FROM step
    WHERE external_id = v_external_id
    ORDER BY parent_step_id nulls first,
        step_number;
END;$FUNCTION$
LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION GetExternalIdsFromSteps (
    v_status VARCHAR(32),
    v_external_system_type VARCHAR(32)
    )
RETURNS SETOF UUID STABLE AS $FUNCTION$
BEGIN
    RETURN QUERY

    SELECT step.external_id
    FROM step
    INNER JOIN job
        ON step.job_id = job.job_id
    WHERE job.status = v_status
        AND step.external_system_type = v_external_system_type;
END;$FUNCTION$
LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION GetStepsForEntityByStatus (
    v_status VARCHAR(32),
    v_entity_id UUID,
    v_entity_type VARCHAR(32)
    )
RETURNS SETOF step STABLE AS $FUNCTION$
BEGIN
    RETURN QUERY
    SELECT s.*
    FROM step_subject_entity sse
    INNER JOIN step s
    ON sse.step_id = s.step_id
    WHERE sse.entity_id = v_entity_id
        AND sse.entity_type = v_entity_type
        AND s.status = v_status;
END;$FUNCTION$
LANGUAGE plpgsql;

-- ==== from packaging/dbscripts/command_entities_sp.sql ====
CREATE OR REPLACE FUNCTION GetCommandEntityByCommandEntityId (v_command_id uuid)
RETURNS SETOF command_entities AS $FUNCTION$

BEGIN
    RETURN QUERY

    SELECT command_entities.*
    FROM command_entities
    WHERE command_id = v_command_id;
END;$FUNCTION$

LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION GetAllFromCommandEntities ()
RETURNS SETOF command_entities AS $FUNCTION$

BEGIN
    RETURN QUERY

    SELECT *
    FROM command_entities;
END;$FUNCTION$

LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION GetCommandEntitiesByParentCmdId (v_root_command_id uuid)
RETURNS SETOF command_entities STABLE AS $FUNCTION$

BEGIN
    RETURN QUERY

    SELECT command_entities.*
    FROM command_entities
    WHERE root_command_id = v_root_command_id;
END;$FUNCTION$

LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION GetCommandIdsByEntityId (v_entity_id UUID)
RETURNS SETOF idUuidType STABLE AS $FUNCTION$

BEGIN
    RETURN QUERY

    SELECT command_id
    FROM command_assoc_entities
    WHERE entity_id = v_entity_id;
END;$FUNCTION$

LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION GetCommandAssociatedEntities (v_command_id UUID)
RETURNS SETOF command_assoc_entities STABLE AS $FUNCTION$

BEGIN
    RETURN QUERY

    SELECT *
    FROM command_assoc_entities
    WHERE command_id = v_command_id;
END;$FUNCTION$

LANGUAGE plpgsql;

-- ==== from packaging/dbscripts/async_tasks_sp.sql ====
CREATE OR REPLACE FUNCTION GetAsyncTasksIdsByEntityId (v_entity_id UUID)
RETURNS SETOF idUuidType STABLE AS $FUNCTION$
BEGIN
    RETURN QUERY

    SELECT async_task_id
    FROM async_tasks_entities
    WHERE entity_id = v_entity_id;
END;$FUNCTION$
LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION GetAsyncTaskEntitiesByTaskId (v_task_id UUID)
RETURNS SETOF async_tasks_entities STABLE AS $FUNCTION$
BEGIN
    RETURN QUERY

    SELECT *
    FROM async_tasks_entities
    WHERE async_task_id = v_task_id;
END;$FUNCTION$
LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION GetAsyncTasksByStoragePoolId (v_storage_pool_id UUID)
RETURNS SETOF async_tasks STABLE AS $FUNCTION$
BEGIN
    RETURN QUERY

    SELECT *
    FROM async_tasks
    WHERE storage_pool_id = v_storage_pool_id;
END;$FUNCTION$
LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION GetAllFromasync_tasks ()
RETURNS SETOF async_tasks STABLE AS $FUNCTION$
BEGIN
    RETURN QUERY

    SELECT *
    FROM async_tasks;
END;$FUNCTION$
LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION Getasync_tasksBytask_id (v_task_id UUID)
RETURNS SETOF async_tasks STABLE AS $FUNCTION$
BEGIN
    RETURN QUERY

    SELECT *
    FROM async_tasks
    WHERE task_id = v_task_id;
END;$FUNCTION$
LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION GetAsyncTasksByEntityId (v_entity_id UUID)
RETURNS SETOF async_tasks STABLE AS $FUNCTION$
BEGIN
    RETURN QUERY

    SELECT async_tasks.*
    FROM async_tasks
    INNER JOIN async_tasks_entities
        ON async_task_id = task_id
    WHERE entity_id = v_entity_id;
END;$FUNCTION$
LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION GetAsyncTasksByVdsmTaskId (v_vdsm_task_id UUID)
RETURNS SETOF async_tasks STABLE AS $FUNCTION$
BEGIN
    RETURN QUERY

    SELECT *
    FROM async_tasks
    WHERE vdsm_task_id = v_vdsm_task_id;
END;$FUNCTION$
LANGUAGE plpgsql;

-- ==== from packaging/dbscripts/business_entity_snapshot_sp.sql ====
CREATE OR REPLACE FUNCTION get_entity_snapshot_by_id (v_id uuid)
RETURNS SETOF business_entity_snapshot STABLE AS $FUNCTION$
BEGIN
    RETURN QUERY

    SELECT business_entity_snapshot.*
    FROM business_entity_snapshot
    WHERE id = v_id;
END;$FUNCTION$
LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION get_entity_snapshot_by_command_id (v_command_id uuid)
RETURNS SETOF business_entity_snapshot STABLE AS $FUNCTION$
BEGIN
    RETURN QUERY

    SELECT business_entity_snapshot.*
    FROM business_entity_snapshot
    WHERE command_id = v_command_id
    ORDER BY insertion_order DESC;
END;$FUNCTION$
LANGUAGE plpgsql;
DROP TYPE IF EXISTS get_all_commands_rs CASCADE;
CREATE TYPE get_all_commands_rs AS (
        command_id UUID,
        command_type VARCHAR(256)
        );

CREATE OR REPLACE FUNCTION get_all_commands ()
RETURNS SETOF get_all_commands_rs STABLE AS $FUNCTION$
BEGIN
    RETURN QUERY

    SELECT DISTINCT business_entity_snapshot.command_id,
        business_entity_snapshot.command_type
    FROM business_entity_snapshot;
END;$FUNCTION$
LANGUAGE plpgsql;

-- ==== from packaging/dbscripts/audit_log_sp.sql ====
CREATE OR REPLACE FUNCTION GetAuditLogByAuditLogId (v_audit_log_id BIGINT)
RETURNS SETOF audit_log STABLE AS $FUNCTION$
BEGIN
    RETURN QUERY

    SELECT *
    FROM audit_log
    WHERE audit_log_id = v_audit_log_id;
END;$FUNCTION$
LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION GetAuditLogLaterThenDate (v_date TIMESTAMP WITH TIME ZONE)
RETURNS SETOF audit_log STABLE AS $FUNCTION$
BEGIN
    RETURN QUERY

    SELECT *
    FROM audit_log
    WHERE NOT deleted
        AND LOG_TIME >= v_date;
END;$FUNCTION$
LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION GetAuditLogByOriginAndCustomEventId (
    v_origin VARCHAR(255),
    v_custom_event_id INT
    )
RETURNS SETOF audit_log STABLE AS $FUNCTION$
BEGIN
    RETURN QUERY

    SELECT *
    FROM audit_log
    WHERE origin = v_origin
        AND custom_event_id = v_custom_event_id;
END;$FUNCTION$
LANGUAGE plpgsql;

-- ==== from packaging/setup/dbutils/taskcleaner_sp_3_5.sql ====
Create or replace FUNCTION GetAllCommandsWithRunningTasks() RETURNS SETOF COMMAND_ENTITIES STABLE
   AS $procedure$
BEGIN
   RETURN QUERY SELECT *
   FROM COMMAND_ENTITIES C
   WHERE EXISTS (SELECT * FROM ASYNC_TASKS A WHERE A.COMMAND_ID = C.COMMAND_ID);
END; $procedure$
LANGUAGE plpgsql;
Create or replace FUNCTION  GetAllCommands()
RETURNS SETOF COMMAND_ENTITIES STABLE
   AS $procedure$
BEGIN
   RETURN QUERY SELECT *
   FROM COMMAND_ENTITIES;
END; $procedure$
LANGUAGE plpgsql;
