//! The operation table, one file per group of operations.

mod admin;
mod catalogue;
mod identity;
mod oci;
mod oci_push;
mod protocol;
mod publishing;
mod scm;

use super::builder::{Op, Schemas};

/// Every operation the registry answers, in the order the document lists its groups.
pub(crate) fn all(schemas: &mut Schemas) -> Vec<Op> {
    let mut ops = protocol::operations(schemas);
    ops.extend(catalogue::operations(schemas));
    ops.extend(publishing::operations(schemas));
    ops.extend(scm::operations(schemas));
    ops.extend(identity::operations(schemas));
    ops.extend(admin::operations(schemas));
    ops.extend(oci::operations(schemas));
    ops.extend(oci_push::operations(schemas));
    ops
}
