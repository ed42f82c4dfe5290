import Foundation
import MailgateCLI

exit(await MailgateMain.main())
