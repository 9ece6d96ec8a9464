fn main() {
    print!("{}", greenlight_domain::permission::matrix_markdown());
}
