//! The catalogues are compiled in (`static_loader!`): a new or changed
//! `.ftl` file must rebuild the crate.
fn main() {
    println!("cargo:rerun-if-changed=locales");
}
