import Foundation

extension Recording {
    /// The dataset a recording file belongs to: the folder above the file's folder (`spc2015` for
    /// `spc2015/h5/DATA_01_TYPE01.h5`), as `../shared/data` lays datasets out.
    public static func datasetName(ofPath path: String) -> String {
        URL(fileURLWithPath: path).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent
    }
}
