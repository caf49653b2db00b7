//! The server's integration tests as one test binary: each file used to be a binary of
//! its own, and every one of them linked the whole app again in the release build.

mod common;

mod accounts;
mod authorization;
mod communities;
mod confidentiality;
mod dashboard;
mod home;
mod intervision;
mod knowledge;
mod lesson_study;
mod meetings;
mod offboarding;
mod platform;
mod several_servers;
mod surveys;
