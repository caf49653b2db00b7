//! The admin's staff page: who works at the board's schools, in which role, and the
//! open invitations (by email or as a shareable link); and the page an invitation
//! opens, where the invited person signs up or accepts.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::api::{
    AcceptGuestInvitation, AcceptInvitation, CreateInvitationLink, InviteStaff, RequestSignUp, RevokeInvitation,
    SetCommunityPolicy, SetStaffActive, SetStaffRole, StaffOverview, get_invitation_details, load_staff_overview,
};
use crate::account::domain::{AfterPost, Flash, Role};
use crate::i18n::*;
use crate::ui::loaded;
use crate::ui::{
    Alert, Auth, EmptyState, ErrorAlert, Field, Loading, action_error, flashed, role_text, signed_in, text,
};

#[component]
pub fn StaffPage() -> impl IntoView {
    let i18n = use_i18n();
    let invite = ServerAction::<InviteStaff>::new();
    let link = ServerAction::<CreateInvitationLink>::new();
    let revoke = ServerAction::<RevokeInvitation>::new();
    let set_role = ServerAction::<SetStaffRole>::new();
    let set_active = ServerAction::<SetStaffActive>::new();
    let policy = ServerAction::<SetCommunityPolicy>::new();
    let overview = Resource::new(
        move || {
            (
                policy.version().try_get(),
                invite.version().try_get(),
                link.version().try_get(),
                revoke.version().try_get(),
                set_role.version().try_get(),
                set_active.version().try_get(),
            )
        },
        |_| load_staff_overview(),
    );
    signed_in(move |_| {
        view! {
            <Title text=t_string!(i18n, staff.title)/>
            {loaded(overview, move |data| Some(view! { <StaffAdmin data invite link revoke set_role set_active policy/> }.into_any()))}
        }
    })
}

#[component]
fn StaffAdmin(
    data: StaffOverview,
    invite: ServerAction<InviteStaff>,
    link: ServerAction<CreateInvitationLink>,
    revoke: ServerAction<RevokeInvitation>,
    set_role: ServerAction<SetStaffRole>,
    set_active: ServerAction<SetStaffActive>,
    policy: ServerAction<SetCommunityPolicy>,
) -> impl IntoView {
    let active_error = action_error(set_active);
    let policy_error = action_error(policy);
    let i18n = use_i18n();
    let invite_error = action_error(invite);
    let link_error = action_error(link);
    let role_error = action_error(set_role);
    let school_options = move |schools: &[super::api::School]| {
        schools.iter().map(|s| view! { <option value=s.id.to_string()>{s.name.clone()}</option> }).collect_view()
    };
    let role_options = move || {
        Role::ALL
            .into_iter()
            .map(|r| view! { <option value=r.as_str() selected=r == Role::Teacher>{move || role_text(i18n.get_locale(), r)}</option> })
            .collect_view()
    };
    let schools = data.schools.clone();
    let link_schools = data.schools.clone();
    let staff_schools = data.schools.clone();
    let staff_count = data.staff.len();
    view! {
        <h1>{t!(i18n, staff.title)}</h1>
        <p class="lead">{t!(i18n, staff.intro, board = data.board_name.clone(), count = staff_count)}</p>

        <div class="grid-2">
            <section class="card" aria-labelledby="invite-title">
                <h2 id="invite-title">{t!(i18n, staff.invite_title)}</h2>
                <ErrorAlert error=invite_error/>
                <Show when=move || flashed(&Flash::StaffInvited)>
                    <Alert kind="success"><p>{t!(i18n, staff.invite_sent)}</p></Alert>
                </Show>
                <ActionForm action=invite attr:class="form" attr:novalidate=true>
                    <Field name="email" kind="email" required=true
                        label=Signal::derive(move || t_string!(i18n, staff.email).to_string()) error=invite_error/>
                    <div class="field">
                        <label class="field__label" for="invite-school">{t!(i18n, staff.school)}</label>
                        <select class="field__input" id="invite-school" name="school_id">{school_options(&schools)}</select>
                    </div>
                    <div class="field">
                        <label class="field__label" for="invite-role">{t!(i18n, staff.role)}</label>
                        <select class="field__input" id="invite-role" name="role">{role_options()}</select>
                    </div>
                    <button type="submit" class="button button--primary">{t!(i18n, staff.send_invite)}</button>
                </ActionForm>
            </section>

            <section class="card" aria-labelledby="link-title">
                <h2 id="link-title">{t!(i18n, staff.link_title)}</h2>
                <p class="muted">{t!(i18n, staff.link_intro)}</p>
                <ErrorAlert error=link_error/>
                {use_context::<AfterPost>().and_then(|after| match after.flash {
                    Some(Flash::InvitationLink(url)) => Some(url),
                    _ => None,
                }).map(|url| view! {
                    <Alert kind="success">
                        <p>{t!(i18n, staff.link_created)}</p>
                        <p><code class="copyable" data-testid="invitation-link">{url}</code></p>
                    </Alert>
                })}
                <ActionForm action=link attr:class="form">
                    <div class="field">
                        <label class="field__label" for="link-school">{t!(i18n, staff.school)}</label>
                        <select class="field__input" id="link-school" name="school_id">{school_options(&link_schools)}</select>
                    </div>
                    <Field name="max_uses" kind="number" required=true value="30".to_string()
                        label=Signal::derive(move || t_string!(i18n, staff.max_uses).to_string()) error=link_error/>
                    <button type="submit" class="button">{t!(i18n, staff.create_link)}</button>
                </ActionForm>
            </section>
        </div>

        <section class="card" aria-labelledby="policy-title">
            <h2 id="policy-title">{t!(i18n, staff.policy_title)}</h2>
            <p class="muted">{t!(i18n, staff.policy_intro)}</p>
            <ErrorAlert error=policy_error/>
            <Show when=move || flashed(&Flash::PolicySaved)>
                <Alert kind="success"><p>{t!(i18n, staff.policy_saved)}</p></Alert>
            </Show>
            <ActionForm action=policy attr:class="form" attr:novalidate=true>
                <Field name="member_cap" kind="number" required=true value=data.member_cap.to_string()
                    label=Signal::derive(move || t_string!(i18n, staff.member_cap).to_string())
                    hint=Signal::derive(move || t_string!(i18n, staff.member_cap_hint).to_string()) error=policy_error/>
                <div class="field field--check">
                    <input type="checkbox" id="field-staff_may_start" name="staff_may_start" value="on" checked=data.staff_may_start/>
                    <label for="field-staff_may_start">{t!(i18n, staff.staff_may_start)}</label>
                </div>
                <button type="submit" class="button button--primary">{t!(i18n, staff.save_policy)}</button>
            </ActionForm>
        </section>

        <section class="card" aria-labelledby="invitations-title">
            <h2 id="invitations-title">{t!(i18n, staff.invitations_title)}</h2>
            {if data.invitations.is_empty() {
                view! { <p class="muted">{t!(i18n, staff.invitations_empty)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="table">
                            <thead>
                                <tr>
                                    <th scope="col">{t!(i18n, staff.invitee)}</th>
                                    <th scope="col">{t!(i18n, staff.school)}</th>
                                    <th scope="col">{t!(i18n, staff.role)}</th>
                                    <th scope="col">{t!(i18n, staff.expires)}</th>
                                    <th scope="col"><span class="visually-hidden">{t!(i18n, staff.actions)}</span></th>
                                </tr>
                            </thead>
                            <tbody>
                                {data.invitations.iter().map(|inv| {
                                    let id = inv.id.to_string();
                                    let role = inv.role;
                                    let who = inv.email.clone();
                                    let accepted = inv.accepted_count;
                                    view! {
                                        <tr>
                                            <td>{match who {
                                                Some(email) => email.into_any(),
                                                None => view! { <span>{t!(i18n, staff.link_label, count = accepted)}</span> }.into_any(),
                                            }}</td>
                                            <td>{inv.school.name.clone()}</td>
                                            <td>{move || role_text(i18n.get_locale(), role)}</td>
                                            <td>{inv.expires_at.date().to_string()}</td>
                                            <td>
                                                <ActionForm action=revoke attr:class="inline-form">
                                                    <input type="hidden" name="invitation_id" value=id/>
                                                    <button type="submit" class="button button--small button--danger">{t!(i18n, staff.revoke)}</button>
                                                </ActionForm>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>

        <section class="card" aria-labelledby="staff-title">
            <h2 id="staff-title">{t!(i18n, staff.staff_title)}</h2>
            <ErrorAlert error=role_error/>
            <ErrorAlert error=active_error/>
            {if data.staff.is_empty() {
                view! {
                    <EmptyState title=Signal::derive(move || t_string!(i18n, staff.empty_title).to_string())>
                        <p>{t!(i18n, staff.empty_body)}</p>
                    </EmptyState>
                }.into_any()
            } else {
                let schools = staff_schools.clone();
                view! {
                    <div class="table-wrap">
                        <table class="table">
                            <thead>
                                <tr>
                                    <th scope="col">{t!(i18n, staff.name)}</th>
                                    <th scope="col">{t!(i18n, staff.email)}</th>
                                    <th scope="col">{t!(i18n, staff.roles)}</th>
                                    <th scope="col">{t!(i18n, staff.change_role)}</th>
                                    <th scope="col">{t!(i18n, staff.account)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {data.staff.into_iter().map(|member| {
                                    let user_id = member.id.to_string();
                                    let roles = member.roles.clone();
                                    let select_id = format!("role-{}", member.id);
                                    let school_id = format!("school-{}", member.id);
                                    let member_schools = school_options(&schools);
                                    view! {
                                        <tr>
                                            <td>{member.name.clone()}</td>
                                            <td>{member.email.clone()}</td>
                                            <td>
                                                <ul class="plain-list">
                                                    {roles.into_iter().map(|r| {
                                                        let role = r.role;
                                                        view! { <li>{move || role_text(i18n.get_locale(), role)}" · "{r.school.name}</li> }
                                                    }).collect_view()}
                                                </ul>
                                            </td>
                                            <td>
                                                <ActionForm action=set_role attr:class="inline-form role-form">
                                                    <input type="hidden" name="user_id" value=user_id/>
                                                    <label class="visually-hidden" for=school_id.clone()>{t!(i18n, staff.school)}</label>
                                                    <select id=school_id name="school_id" class="field__input field__input--small">{member_schools}</select>
                                                    <label class="visually-hidden" for=select_id.clone()>{t!(i18n, staff.role)}</label>
                                                    <select id=select_id name="role" class="field__input field__input--small">
                                                        {role_options()}
                                                        <option value="none">{t!(i18n, staff.no_role)}</option>
                                                    </select>
                                                    <button type="submit" class="button button--small">{t!(i18n, staff.save_role)}</button>
                                                </ActionForm>
                                            </td>
                                            <td>
                                                {if member.active {
                                                    view! {
                                                        <details class="disclosure">
                                                            <summary>{t!(i18n, staff.deactivate)}</summary>
                                                            <p class="small">{t!(i18n, staff.deactivate_explained)}</p>
                                                            <ActionForm action=set_active attr:class="inline-form">
                                                                <input type="hidden" name="user_id" value=member.id.to_string()/>
                                                                <input type="hidden" name="active" value="false"/>
                                                                <button type="submit" class="button button--small button--danger">{t!(i18n, staff.deactivate_confirm)}</button>
                                                            </ActionForm>
                                                        </details>
                                                    }.into_any()
                                                } else {
                                                    view! {
                                                        <span class="badge">{t!(i18n, staff.deactivated)}</span>" "
                                                        <ActionForm action=set_active attr:class="inline-form">
                                                            <input type="hidden" name="user_id" value=member.id.to_string()/>
                                                            <input type="hidden" name="active" value="true"/>
                                                            <button type="submit" class="button button--small">{t!(i18n, staff.reactivate)}</button>
                                                        </ActionForm>
                                                    }.into_any()
                                                }}
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    let i18n = use_i18n();
    let auth = expect_context::<Auth>();
    // Not an island: the form posts as a page, and the signed-up person lands on a
    // freshly loaded home page.
    let sign_up = ServerAction::<AcceptInvitation>::new();
    let error = action_error(sign_up);
    let token = use_params_map().with_untracked(|p| p.get("token")).unwrap_or_default();
    let details = Resource::new(
        {
            let token = token.clone();
            move || token.clone()
        },
        get_invitation_details,
    );
    view! {
        <Title text=t_string!(i18n, signup.title)/>
        <section class="card narrow">
            <h1>{t!(i18n, signup.title)}</h1>
            <Suspense fallback=Loading>
                {move || {
                    let token = token.clone();
                    Suspend::new(async move {
                        provide_context(auth.after_post.await.unwrap_or_default());
                        match details.await {
                            Err(_) => view! {
                                <Alert kind="error"><p>{t!(i18n, signup.invalid)}</p></Alert>
                                <p><a href="/login">{t!(i18n, signup.to_login)}</a></p>
                            }.into_any(),
                            Ok(invitation) if invitation.has_account => {
                                let community = invitation.guest_of.clone().unwrap_or_default();
                                let login = format!("/login?next=/invite/{token}");
                                view! {
                                    <p class="lead">{t!(i18n, signup.guest_intro, community = community.clone(), school = invitation.school_name.clone())}</p>
                                    {if invitation.signed_in_as_invitee {
                                        view! {
                                            <form method="post" action=AcceptGuestInvitation::url() class="form">
                                                <input type="hidden" name="token" value=token.clone()/>
                                                <button type="submit" class="button button--primary">{t!(i18n, signup.accept)}</button>
                                            </form>
                                        }.into_any()
                                    } else {
                                        view! {
                                            <p>{t!(i18n, signup.has_account)}</p>
                                            <p><a class="button button--primary" href=login>{t!(i18n, signup.login_to_accept)}</a></p>
                                        }.into_any()
                                    }}
                                }.into_any()
                            }
                            Ok(invitation) if invitation.email.is_none() => view! {
                                <p class="lead">{t!(i18n, signup.link_intro, school = invitation.school_name.clone(), role = move || role_text(i18n.get_locale(), invitation.role))}</p>
                                <LinkSignUp token=token/>
                            }.into_any(),
                            Ok(invitation) => {
                                let school = invitation.school_name.clone();
                                let role = invitation.role;
                                view! {
                                    {match invitation.guest_of.clone() {
                                        Some(community) => view! {
                                            <p class="lead">{t!(i18n, signup.guest_intro, community = community.clone(), school = school.clone())}</p>
                                        }.into_any(),
                                        None => view! {
                                            <p class="lead">{t!(i18n, signup.intro, school = school.clone(), role = move || role_text(i18n.get_locale(), role))}</p>
                                        }.into_any(),
                                    }}
                                    <ErrorAlert error=error/>
                                    <ActionForm action=sign_up attr:class="form" attr:novalidate=true>
                                        <input type="hidden" name="token" value=token/>
                                        <Field name="name" autocomplete="name" required=true
                                            label=text(move || t_string!(i18n, signup.name)) error=error/>
                                        <p class="field__static">
                                            <span class="field__label">{t!(i18n, signup.email)}</span>
                                            <span>{invitation.email.clone()}</span>
                                        </p>
                                        <Field name="password" kind="password" autocomplete="new-password" required=true
                                            label=text(move || t_string!(i18n, signup.password))
                                            hint=text(move || t_string!(i18n, reset.password_hint)) error=error/>
                                        <Field name="password_confirm" kind="password" autocomplete="new-password" required=true
                                            label=text(move || t_string!(i18n, signup.password_confirm)) error=error/>
                                        <button type="submit" class="button button--primary">{t!(i18n, signup.submit)}</button>
                                    </ActionForm>
                                }.into_any()
                            }
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}

/// A shared link asks only for the address: the account is made from the personal
/// invitation mailed there, so the page never says whether the address has one.
#[component]
fn LinkSignUp(token: String) -> impl IntoView {
    let i18n = use_i18n();
    let token = StoredValue::new(token);
    let action = ServerAction::<RequestSignUp>::new();
    let error = action_error(action);
    let sent_by_redirect = use_query_map().with_untracked(|q| q.get("sent").is_some());
    let sent = move || sent_by_redirect || matches!(action.value().get(), Some(Ok(())));
    view! {
        <Show when=sent fallback=move || view! {
            <ErrorAlert error=error/>
            <ActionForm action=action attr:class="form" attr:novalidate=true>
                <input type="hidden" name="token" value=token.get_value()/>
                <Field name="email" kind="email" autocomplete="email" required=true
                    label=text(move || t_string!(i18n, signup.email)) error=error/>
                <button type="submit" class="button button--primary">{t!(i18n, signup.link_submit)}</button>
            </ActionForm>
        }>
            <Alert kind="success"><p>{t!(i18n, signup.link_sent)}</p></Alert>
        </Show>
    }
}
