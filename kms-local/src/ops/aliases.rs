//! `CreateAlias`, `UpdateAlias`, `DeleteAlias` and `ListAliases`.

use kms_core::ops::*;
use kms_core::{ALIAS_PREFIX, AliasListEntry, Error, MAX_ALIAS_NAME_LEN, Result, is_alias_name};

use crate::limits;
use crate::material::Kind;
use crate::paging::page;
use crate::state::{Alias, Key, KeyOnly};
use crate::store::Store;

/// The prefix of the aliases of AWS managed keys.
const RESERVED_PREFIX: &str = "alias/aws/";
/// Aliases per key.
const MAX_ALIASES_PER_KEY: usize = 50;

impl Store {
    pub(crate) fn create_alias(&self, request: CreateAliasRequest) -> Result<CreateAliasResponse> {
        let name = request.alias_name;
        check_alias_name(&name)?;
        if name.starts_with(RESERVED_PREFIX) {
            return Err(Error::InvalidAliasName {
                // Our wording (unverified): no reference confirms AWS's message.
                message: format!(
                    "Alias {name} cannot be created: names beginning with {RESERVED_PREFIX} are \
                     reserved for AWS managed keys."
                ),
            });
        }
        self.mutate(|keyring, now| {
            let member = KeyOnly::target_key_id("CreateAlias");
            let key =
                keyring.resolve_key(&self.identity, &request.target_key_id, member, || now)?;
            key.check_changeable()?;
            let target = key.id.clone();
            if keyring.aliases.contains_key(&name) {
                return Err(Error::AlreadyExists {
                    // Our wording (unverified), that of moto, local-kms and LocalStack.
                    message: format!(
                        "An alias with the name {} already exists",
                        self.identity.alias_arn(&name)
                    ),
                });
            }
            let aliases_of_key = keyring
                .aliases
                .values()
                .filter(|a| a.target == target)
                .count();
            if aliases_of_key >= MAX_ALIASES_PER_KEY {
                return Err(Error::LimitExceeded {
                    // Our wording (unverified): no reference confirms AWS's message.
                    message: format!(
                        "The key {target} already has the maximum of {MAX_ALIASES_PER_KEY} aliases."
                    ),
                });
            }
            let alias = Alias {
                target,
                created: now,
                updated: now,
            };
            keyring.put_alias(name, alias);
            Ok(CreateAliasResponse::new())
        })
    }

    pub(crate) fn update_alias(&self, request: UpdateAliasRequest) -> Result<UpdateAliasResponse> {
        let name = request.alias_name;
        check_alias_name(&name)?;
        self.mutate(|keyring, now| {
            if !keyring.aliases.contains_key(&name) {
                return Err(self.identity.alias_not_found(&name));
            }
            let member = KeyOnly::target_key_id("UpdateAlias");
            let key =
                keyring.resolve_key(&self.identity, &request.target_key_id, member, || now)?;
            key.check_changeable()?;
            if let Some(current) = keyring
                .aliases
                .get(&name)
                .and_then(|alias| keyring.keys.get(&alias.target))
            {
                check_same_type(&name, current, key)?;
            }
            let target = key.id.clone();
            if let Some(alias) = keyring.aliases.get(&name) {
                let updated = Alias {
                    target,
                    created: alias.created,
                    updated: now,
                };
                keyring.put_alias(name, updated);
            }
            Ok(UpdateAliasResponse::new())
        })
    }

    pub(crate) fn delete_alias(&self, request: DeleteAliasRequest) -> Result<DeleteAliasResponse> {
        let name = request.alias_name;
        check_alias_name(&name)?;
        self.mutate(|keyring, _| match keyring.remove_alias(&name) {
            Some(_) => Ok(DeleteAliasResponse::new()),
            None => Err(self.identity.alias_not_found(&name)),
        })
    }

    pub(crate) fn list_aliases(&self, request: ListAliasesRequest) -> Result<ListAliasesResponse> {
        let limit = limits::page_limit(request.limit, 100, 50)?;
        let now = self.now();
        let keyring = self.read()?;
        let only = match &request.key_id {
            Some(key_id) => {
                let member = KeyOnly::key_id("ListAliases");
                let key = keyring.resolve_key(&self.identity, key_id, member, || now)?;
                Some(key.id.as_str())
            }
            None => None,
        };
        let page = page(
            &keyring.aliases,
            request.marker.as_deref(),
            limit,
            |name, alias| {
                let live = keyring
                    .keys
                    .get(&alias.target)
                    .is_some_and(|k| !k.is_gone(|| now));
                let selected = only.is_none_or(|id| id == alias.target);
                (live && selected).then(|| {
                    AliasListEntry::new(name, self.identity.alias_arn(name))
                        .with_target_key_id(alias.target.clone())
                        .with_creation_date(alias.created)
                        .with_last_updated_date(alias.updated)
                })
            },
        )?;
        let mut response = ListAliasesResponse::new().with_truncated(page.truncated());
        response.next_marker = page.next_marker;
        Ok(response.with_aliases(page.items))
    }
}

/// Checks an alias name as AWS does: the prefix first, then the length, then the characters.
fn check_alias_name(name: &str) -> Result<()> {
    if !name.starts_with(ALIAS_PREFIX) {
        return Err(Error::Validation {
            message: "Alias must start with the prefix \"alias/\". Please see \
                      https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html"
                .to_owned(),
        });
    }
    limits::check_len(
        "aliasName",
        Some(name),
        name.chars().count(),
        (1, MAX_ALIAS_NAME_LEN),
    )?;
    if !is_alias_name(name) {
        return Err(Error::constraint(
            Some(&name),
            "aliasName",
            "satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$",
        ));
    }
    Ok(())
}

/// `UpdateAlias` moves an alias only to a key of the same type (symmetric, asymmetric or
/// HMAC) and the same key usage as the key it names now, as AWS documents.
fn check_same_type(name: &str, current: &Key, new: &Key) -> Result<()> {
    let (kind, new_kind) = (Kind::of(&current.spec), Kind::of(&new.spec));
    if kind == new_kind && current.usage == new.usage {
        return Ok(());
    }
    Err(Error::Validation {
        // Our wording (unverified): AWS documents the rule, no reference gives its message.
        message: format!(
            "{name} names a {} key with key usage {}: {} is a {} key with key usage {}, \
             which the alias cannot be moved to.",
            kind.as_str(),
            current.usage,
            new.arn,
            new_kind.as_str(),
            new.usage
        ),
    })
}
