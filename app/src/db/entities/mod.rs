//! Entities mirroring the tables created in `migrations/`. They never leave the
//! server: features turn them into DTOs.

pub mod artifact;
pub mod artifact_comment;
pub mod artifact_file;
pub mod artifact_flag;
pub mod artifact_reuse;
pub mod artifact_tag;
pub mod artifact_version;
pub mod attendance;
pub mod calendar_feed;
pub mod community;
pub mod community_member;
pub mod community_policy;
pub mod email_opt_out;
pub mod intervision_action;
pub mod intervision_case;
pub mod intervision_case_vote;
pub mod intervision_contribution;
pub mod intervision_evaluation;
pub mod intervision_method;
pub mod intervision_participant;
pub mod intervision_round;
pub mod invitation;
pub mod level_change;
pub mod meeting;
pub mod membership_change;
pub mod notification;
pub mod organisation;
pub mod participation_event;
pub mod password_reset;
pub mod session;
pub mod staff_membership;
pub mod success_criterion;
pub mod user;
