//! `polarity convert`: the same model with its table stored in another format (int8 or int4),
//! e.g. for `make bench` to run onnxruntime-web on the int8 file of the shipped weights.

use std::path::PathBuf;

use polarity::{onnx, Error, Format};

#[derive(clap::Args)]
pub struct Args {
    /// The model (default: the bundled model/polarity.onnx).
    #[arg(long)]
    model: Option<PathBuf>,
    /// The table format to write: int8 or int4.
    #[arg(long)]
    to: String,
    /// The file to write (its folder is made if missing).
    #[arg(long)]
    out: PathBuf,
}

pub fn run(args: Args) -> Result<(), Error> {
    let format = Format::from_name(&args.to)
        .ok_or_else(|| Error::InvalidInput(format!("--to {:?}: int8 or int4", args.to)))?;
    // Converting is lossy (int8 to int4 for good): the model read is never the file written.
    if let Some(model) = args.model.as_deref() {
        polarity::data::check_distinct(&[model, args.out.as_path()])?;
    }
    let clf = super::load(args.model.as_deref())?;
    // The table as loaded (levels times scales), quantized again in `format`.
    let model = clf.model().clone().with_format(format);
    polarity::data::write_file(&args.out, &onnx::export(&model))?;
    eprintln!("wrote {} ({})", args.out.display(), format.name());
    Ok(())
}
