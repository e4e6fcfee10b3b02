-- oVirt's own definitions of the tables tasktrail's read model reproduces (tests/ovirt/tables.sql).
-- Schema-only dump of 10 oVirt engine tables plus the audit_log_seq sequence.
-- Source: oVirt/ovirt-engine at commit 0111fc63036bca662aa6275a8ad16282cccf86bf.
-- Built by installing packaging/dbscripts with oVirt's own schema.sh ("-c apply":
-- create_tables.sql, create_functions.sql, common_sp.sql, data/*insert_*.sql, then all
-- 405 upgrade/04_*.sql scripts, with pre_upgrade and post_upgrade) into the scratch database
-- "ovirt_ref" on PostgreSQL 15.20, then dumped with:
--   pg_dump --schema-only --no-owner --no-privileges -t public.job -t public.step \
--     -t public.job_subject_entity -t public.step_subject_entity -t public.command_entities \
--     -t public.command_assoc_entities -t public.async_tasks -t public.async_tasks_entities \
--     -t public.business_entity_snapshot -t public.audit_log -t public.audit_log_seq ovirt_ref
-- Edit made after the dump: the psql-only "\restrict"/"\unrestrict" lines that pg_dump 15.14+
-- emits were removed, so the file can also be run through a plain SQL driver. Nothing else changed.
-- Foreign keys from other oVirt tables INTO these tables are not included; for example
-- event_notification_hist -> audit_log is left out.
-- tests/integration/test_ovirt_schema.py loads it into a schema of its own and compares
-- tasktrail's tables with it through PostgreSQL's catalogs. Licensed by the oVirt project
-- under the Apache License 2.0.
--
-- PostgreSQL database dump
--


-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)
-- Dumped by pg_dump version 15.20 (Debian 15.20-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: business_entity_snapshot; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.business_entity_snapshot (
    id uuid NOT NULL,
    command_id uuid NOT NULL,
    command_type character varying(256) NOT NULL,
    entity_id character varying(128),
    entity_type character varying(128),
    entity_snapshot text,
    snapshot_class character varying(128),
    snapshot_type integer,
    insertion_order integer,
    started_at timestamp with time zone DEFAULT now()
);


--
-- Name: job; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.job (
    job_id uuid NOT NULL,
    action_type character varying(50) NOT NULL,
    description text NOT NULL,
    status character varying(32) NOT NULL,
    owner_id uuid,
    visible boolean DEFAULT true NOT NULL,
    start_time timestamp with time zone NOT NULL,
    end_time timestamp with time zone,
    last_update_time timestamp with time zone,
    correlation_id character varying(50) NOT NULL,
    is_external boolean DEFAULT false,
    is_auto_cleared boolean DEFAULT true,
    engine_session_seq_id bigint
);


--
-- Name: step; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.step (
    step_id uuid NOT NULL,
    parent_step_id uuid,
    job_id uuid NOT NULL,
    step_type character varying(32) NOT NULL,
    description text NOT NULL,
    step_number integer NOT NULL,
    status character varying(32) NOT NULL,
    start_time timestamp with time zone NOT NULL,
    end_time timestamp with time zone,
    correlation_id character varying(50) NOT NULL,
    external_id uuid,
    external_system_type character varying(32),
    is_external boolean DEFAULT false,
    progress smallint
);


--
-- Name: step_subject_entity; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.step_subject_entity (
    step_id uuid NOT NULL,
    entity_id uuid NOT NULL,
    entity_type character varying(32) NOT NULL,
    step_entity_weight smallint
);


--
-- Name: async_tasks; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.async_tasks (
    task_id uuid NOT NULL,
    action_type integer NOT NULL,
    status integer NOT NULL,
    result integer NOT NULL,
    step_id uuid,
    command_id uuid NOT NULL,
    started_at timestamp with time zone,
    storage_pool_id uuid,
    task_type integer DEFAULT 0 NOT NULL,
    vdsm_task_id uuid,
    root_command_id uuid,
    user_id uuid
);


--
-- Name: audit_log_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.audit_log_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: audit_log; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_log (
    audit_log_id bigint DEFAULT nextval('public.audit_log_seq'::regclass) NOT NULL,
    user_id uuid,
    user_name character varying(255) DEFAULT ''::character varying NOT NULL,
    vm_id uuid,
    vm_name character varying(255) DEFAULT ''::character varying NOT NULL,
    vm_template_id uuid,
    vm_template_name character varying(255) DEFAULT ''::character varying NOT NULL,
    vds_id uuid,
    vds_name character varying(255) DEFAULT ''::character varying NOT NULL,
    log_time timestamp with time zone NOT NULL,
    log_type_name character varying(100) DEFAULT ''::character varying,
    log_type integer NOT NULL,
    severity integer NOT NULL,
    message text NOT NULL,
    processed boolean DEFAULT false NOT NULL,
    storage_pool_id uuid,
    storage_pool_name character varying(40) DEFAULT ''::character varying NOT NULL,
    storage_domain_id uuid,
    storage_domain_name character varying(250) DEFAULT ''::character varying NOT NULL,
    cluster_id uuid,
    cluster_name character varying(255) DEFAULT ''::character varying NOT NULL,
    correlation_id character varying(50),
    job_id uuid,
    quota_id uuid,
    quota_name character varying(60) DEFAULT ''::character varying NOT NULL,
    gluster_volume_id uuid,
    gluster_volume_name character varying(1000) DEFAULT ''::character varying NOT NULL,
    origin character varying(255) DEFAULT 'oVirt'::character varying,
    custom_event_id integer DEFAULT '-1'::integer,
    event_flood_in_sec integer DEFAULT 30,
    custom_data text DEFAULT ''::text,
    deleted boolean DEFAULT false,
    call_stack text DEFAULT ''::text,
    brick_id uuid,
    brick_path text DEFAULT ''::text,
    custom_id character varying(255)
);


--
-- Name: command_entities; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.command_entities (
    command_id uuid NOT NULL,
    command_type integer NOT NULL,
    root_command_id uuid,
    command_parameters text,
    command_params_class character varying(256),
    created_at timestamp with time zone,
    status character varying(20) DEFAULT NULL::character varying,
    callback_enabled boolean DEFAULT false,
    callback_notified boolean DEFAULT false,
    return_value text,
    return_value_class character varying(256),
    executed boolean DEFAULT false,
    user_id uuid,
    parent_command_id uuid,
    data text,
    engine_session_seq_id bigint,
    command_context text
);


--
-- Name: async_tasks_entities; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.async_tasks_entities (
    async_task_id uuid NOT NULL,
    entity_id uuid NOT NULL,
    entity_type character varying(128)
);


--
-- Name: command_assoc_entities; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.command_assoc_entities (
    command_id uuid NOT NULL,
    entity_id uuid NOT NULL,
    entity_type character varying(128)
);


--
-- Name: job_subject_entity; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.job_subject_entity (
    job_id uuid NOT NULL,
    entity_id uuid NOT NULL,
    entity_type character varying(32) NOT NULL
);


--
-- Name: command_assoc_entities command_assoc_entities_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.command_assoc_entities
    ADD CONSTRAINT command_assoc_entities_pkey PRIMARY KEY (command_id, entity_id);


--
-- Name: async_tasks pk_async_tasks; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.async_tasks
    ADD CONSTRAINT pk_async_tasks PRIMARY KEY (task_id);


--
-- Name: audit_log pk_audit_log; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_log
    ADD CONSTRAINT pk_audit_log PRIMARY KEY (audit_log_id);


--
-- Name: command_entities pk_command_entities; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.command_entities
    ADD CONSTRAINT pk_command_entities PRIMARY KEY (command_id);


--
-- Name: business_entity_snapshot pk_id; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.business_entity_snapshot
    ADD CONSTRAINT pk_id PRIMARY KEY (id);


--
-- Name: job pk_jobs; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.job
    ADD CONSTRAINT pk_jobs PRIMARY KEY (job_id);


--
-- Name: job_subject_entity pk_jobs_subject_entity; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.job_subject_entity
    ADD CONSTRAINT pk_jobs_subject_entity PRIMARY KEY (job_id, entity_id);


--
-- Name: step pk_steps; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.step
    ADD CONSTRAINT pk_steps PRIMARY KEY (step_id);


--
-- Name: step_subject_entity step_subject_entity_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.step_subject_entity
    ADD CONSTRAINT step_subject_entity_pkey PRIMARY KEY (step_id, entity_id, entity_type);


--
-- Name: business_entity_snapshot uq_command_id_entity_id; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.business_entity_snapshot
    ADD CONSTRAINT uq_command_id_entity_id UNIQUE (command_id, entity_id, entity_type, snapshot_type);


--
-- Name: audit_log_origin_custom_event_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX audit_log_origin_custom_event_id_idx ON public.audit_log USING btree (origin, custom_event_id) WHERE ((origin)::text !~~* 'ovirt'::text);


--
-- Name: idx_async_tasks_entities_async_task_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idx_async_tasks_entities_async_task_id ON public.async_tasks_entities USING btree (async_task_id);


--
-- Name: idx_audit_correlation_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idx_audit_correlation_id ON public.audit_log USING btree (correlation_id);


--
-- Name: idx_audit_log_deleted; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idx_audit_log_deleted ON public.audit_log USING btree (deleted);


--
-- Name: idx_audit_log_gluster_volume_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idx_audit_log_gluster_volume_id ON public.audit_log USING btree (gluster_volume_id) WHERE (gluster_volume_id IS NOT NULL);


--
-- Name: idx_audit_log_job_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idx_audit_log_job_id ON public.audit_log USING btree (job_id);


--
-- Name: idx_audit_log_log_time; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idx_audit_log_log_time ON public.audit_log USING btree (log_time);


--
-- Name: idx_audit_log_severity; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idx_audit_log_severity ON public.audit_log USING btree (severity);


--
-- Name: idx_audit_log_storage_domain_name; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idx_audit_log_storage_domain_name ON public.audit_log USING btree (storage_domain_name);


--
-- Name: idx_audit_log_storage_pool_name; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idx_audit_log_storage_pool_name ON public.audit_log USING btree (storage_pool_name);


--
-- Name: idx_audit_log_type_name; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idx_audit_log_type_name ON public.audit_log USING btree (log_type, log_type_name);


--
-- Name: idx_audit_log_user_name; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idx_audit_log_user_name ON public.audit_log USING btree (user_name);


--
-- Name: idx_audit_log_vds_name; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idx_audit_log_vds_name ON public.audit_log USING btree (vds_name);


--
-- Name: idx_audit_log_vm_name; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idx_audit_log_vm_name ON public.audit_log USING btree (vm_name);


--
-- Name: idx_audit_log_vm_template_name; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idx_audit_log_vm_template_name ON public.audit_log USING btree (vm_template_name);


--
-- Name: idx_business_entity_snapshot_command_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idx_business_entity_snapshot_command_id ON public.business_entity_snapshot USING btree (command_id);


--
-- Name: idx_command_assoc_entities_command_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idx_command_assoc_entities_command_id ON public.command_assoc_entities USING btree (command_id);


--
-- Name: idx_job_engine_session_seq_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idx_job_engine_session_seq_id ON public.job USING btree (engine_session_seq_id);


--
-- Name: idx_job_start_time; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idx_job_start_time ON public.job USING btree (start_time);


--
-- Name: idx_job_subject_entity_entity_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idx_job_subject_entity_entity_id ON public.job_subject_entity USING btree (entity_id);


--
-- Name: idx_job_subject_entity_job_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idx_job_subject_entity_job_id ON public.job_subject_entity USING btree (job_id);


--
-- Name: idx_root_command_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idx_root_command_id ON public.command_entities USING btree (root_command_id) WHERE (root_command_id IS NOT NULL);


--
-- Name: idx_step_external_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idx_step_external_id ON public.step USING btree (external_id);


--
-- Name: idx_step_job_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idx_step_job_id ON public.step USING btree (job_id);


--
-- Name: idx_step_parent_step_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idx_step_parent_step_id ON public.step USING btree (parent_step_id);


--
-- Name: idx_step_subject_entity_step; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idx_step_subject_entity_step ON public.step_subject_entity USING btree (step_id);


--
-- Name: idx_vdsm_task_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idx_vdsm_task_id ON public.async_tasks USING btree (vdsm_task_id);


--
-- Name: async_tasks_entities fk_async_task_entity; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.async_tasks_entities
    ADD CONSTRAINT fk_async_task_entity FOREIGN KEY (async_task_id) REFERENCES public.async_tasks(task_id) ON DELETE CASCADE;


--
-- Name: command_assoc_entities fk_coco_command_assoc_entity; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.command_assoc_entities
    ADD CONSTRAINT fk_coco_command_assoc_entity FOREIGN KEY (command_id) REFERENCES public.command_entities(command_id) ON DELETE CASCADE;


--
-- Name: job_subject_entity fk_job_subject_entity_job; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.job_subject_entity
    ADD CONSTRAINT fk_job_subject_entity_job FOREIGN KEY (job_id) REFERENCES public.job(job_id) ON DELETE CASCADE;


--
-- Name: step fk_step_job; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.step
    ADD CONSTRAINT fk_step_job FOREIGN KEY (job_id) REFERENCES public.job(job_id) ON DELETE CASCADE;


--
-- Name: step_subject_entity step_subject_entity_step_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.step_subject_entity
    ADD CONSTRAINT step_subject_entity_step_id_fkey FOREIGN KEY (step_id) REFERENCES public.step(step_id) ON DELETE CASCADE;


--
-- PostgreSQL database dump complete
--


