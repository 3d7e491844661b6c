fn main() {
    println!("harp");
}
