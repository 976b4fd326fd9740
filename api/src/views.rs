//! Response shapes shared by several routes.

pub use maigie_services::accounts::UserView;
